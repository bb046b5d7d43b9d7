"""Flattening with reshape(-1, m) instead of reshape(m, -1).T: right shape, scrambled images."""

ANSWERS = {
    'flatten': '''train_set_x_flatten = train_set_x_orig.reshape(-1, train_set_x_orig.shape[0])
test_set_x_flatten = test_set_x_orig.reshape(-1, test_set_x_orig.shape[0])
print("train_set_x_flatten:", train_set_x_flatten.shape)
print("test_set_x_flatten: ", test_set_x_flatten.shape)
''',
}
FAILS = {'test_flatten': 'column 0 is not image 0'}
