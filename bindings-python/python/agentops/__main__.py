"""`python -m agentops replay SESSION.jsonl`: the `agentops` command."""

from .cli import main

main()
