"""Reading what was said: sentences, terms and concepts, concrete details, quotes, fillers
and pace. The lowest layer: may import only `audio` (for transcripts).
"""
