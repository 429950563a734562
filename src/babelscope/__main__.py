"""python -m babelscope"""

from .cli import main

main()
