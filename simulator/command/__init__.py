"""The `mock-interview` command: options, settings, building and running an interview, and
the other subcommands. The top layer: may import every other.
"""
