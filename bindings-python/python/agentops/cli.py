"""The `agentops` command (`agentops replay SESSION.jsonl`, also `python -m agentops replay`):
the core's session replay, printed here. See `agentops replay --help`."""

from __future__ import annotations

import sys
from typing import List, Optional

from . import _native


def run(argv: Optional[List[str]] = None) -> int:
    """Runs the command with `argv` (default: the process's arguments); returns its status."""
    args = list(sys.argv[1:] if argv is None else argv)
    code, out, err = _native.replay_main(args, sys.stdout.isatty())
    sys.stdout.write(out)
    sys.stdout.flush()
    sys.stderr.write(err)
    return code


def main() -> None:
    sys.exit(run())


if __name__ == "__main__":
    main()
