"""The saved record: the session folder and its event log, turns read back from it, where to
resume, progress across sessions. May import `simulator.core`, `simulator.language` and `audio`.
"""
