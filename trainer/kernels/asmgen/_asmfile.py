"""What the asmgen scripts share: where their assembly goes."""
import os
import sys


def write(name, out):
    """Writes the joined lines of out as file name, into the folder given
    as the script's first argument, else the kernels package folder."""
    d = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
    with open(os.path.join(d, name), 'w') as f:
        f.write(''.join(out))
