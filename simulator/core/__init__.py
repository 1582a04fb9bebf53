"""The bank, the critique's data model, the contracts between layers and the errors a user sees.

May import `simulator.language` and `audio`.
"""
