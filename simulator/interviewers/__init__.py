"""Interviewers: they decide what to ask next and write the critique (`Interviewer` in
`simulator.core.contracts`). May import `simulator.core`, `simulator.language` and `audio`."""
