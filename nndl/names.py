"""Older names of the graded functions, to tell a student who used one what to rename.

Copies of older versions of the course circulate: ``normalizeRows`` was the numpy-basics
name of ``normalize_rows``, and camelCase spellings of the other snake_case names are the
natural slip of someone who learned them that way. A function found under such a name is
named in the failure ("found normalizeRows: this course calls it normalize_rows"); it
still earns nothing, because the tests call the course's name.

Both graders use this table: ``nndl grade`` asks the sandbox for each older name when a
graded function is missing, and in a Jupyter kernel (stock ``nbgrader autograde``, or a
student running a check cell) the NameError of the test cell gets the same line.
"""

from __future__ import annotations

OLDER_NAMES: dict[str, tuple[str, ...]] = {
    # week 2, numpy basics (normalizeRows is the original course's own older name)
    "normalize_rows": ("normalizeRows",),
    "basic_sigmoid": ("basicSigmoid",),
    "sigmoid_derivative": ("sigmoidDerivative",),
    # week 2, logistic regression
    "initialize_with_zeros": ("initializeWithZeros",),
    # week 3, planar classification
    "layer_sizes": ("layerSizes",),
    "initialize_parameters": ("initializeParameters",),
    "forward_propagation": ("forwardPropagation",),
    "compute_cost": ("computeCost",),
    "backward_propagation": ("backwardPropagation",),
    "update_parameters": ("updateParameters",),
    "nn_model": ("nnModel",),
    # week 4
    "initialize_parameters_deep": ("initializeParametersDeep",),
    "linear_forward": ("linearForward",),
    "linear_activation_forward": ("linearActivationForward",),
    "linear_backward": ("linearBackward",),
    "linear_activation_backward": ("linearActivationBackward",),
    "two_layer_model": ("twoLayerModel",),
}


def older_names(name: str) -> tuple[str, ...]:
    """The older names a student may have given the course's function ``name``."""
    return OLDER_NAMES.get(name, ())


def found_message(name: str, older: str) -> str:
    """The one sentence both graders say when ``name`` exists only as ``older``."""
    return f"found {older}: this course calls it {name}"


def older_name_in(name: str, namespace) -> str | None:
    """The first older name of ``name`` bound to a function in ``namespace``, if any."""
    for older in older_names(name):
        if callable(namespace.get(older)):
            return older
    return None


# ----------------------------------------------------------------- Jupyter kernels
def _name_error_handler(shell, etype, value, tb, tb_offset=None):
    """Show a NameError as IPython does, with the older-name line when one applies."""
    name = getattr(value, "name", None)
    older = older_name_in(name, shell.user_ns) if isinstance(name, str) else None
    if older and value.args and isinstance(value.args[0], str) and \
            "found " not in value.args[0]:
        value.args = (f"{value.args[0]}; {found_message(name, older)}", *value.args[1:])
    shell.showtraceback((etype, value, tb), tb_offset=tb_offset)


def install_kernel_hint() -> bool:
    """In an IPython kernel, name older function names in uncaught NameErrors.

    Installed only when no other custom exception handler is set; every other NameError
    is shown exactly as IPython shows it. Returns whether the handler is (now) installed.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None or not hasattr(shell, "set_custom_exc"):
        return False
    current = getattr(shell, "custom_exceptions", ())
    if getattr(shell, "_nndl_name_hint", False):
        return True
    if current:
        return False  # someone else's handler: leave it alone
    shell.set_custom_exc((NameError,), _name_error_handler)
    shell._nndl_name_hint = True
    return True
