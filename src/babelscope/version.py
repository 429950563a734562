"""babelscope's version, in a leaf module.

Modules deep in the package (the report footer, signatures, trim's provenance) import it from
here rather than from the package root, which is the public API and may import them.
"""

__version__ = "0.1.0"
