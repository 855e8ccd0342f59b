"""The pipeline's one import root: `redcross.core`, `redcross.flows`, `redcross.warehouse`, ...

The layers live at the top of the repository, where a reader looks first (flows/, transforms/,
expectations/ and warehouse/ as the design has them; core/, read/, report/ and cli/ beside them);
`redcross/<layer>` is a symbolic link to each, so the checkout, an editable install and the wheel
(which stores the files themselves under `redcross/`) all import them by one name.
"""
