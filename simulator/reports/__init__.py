"""Reports of a saved session: one report model, and one renderer per format (terminal,
Markdown, JSON, HTML, SRT/VTT). May import `simulator.record`, `simulator.core`,
`simulator.language` and `audio`.
"""
