"""The live interview: the turn loop, where answers come from, and grading in the background.
May import `simulator.record`, `simulator.core`, `simulator.language` and `audio`; it knows
interviewers only through `simulator.core.contracts`.
"""
