"""The interviewer's manner: how warm the wording is, how many follow-ups it asks, and whether
it stops an answer that runs long. The critique never depends on it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Style:
    name: str
    follow_ups: int  # follow-up questions per question unless --max-follow-ups says otherwise
    # The soft limit on an answer as a multiple of the question's target length, after which
    # the interviewer stops the candidate; None lets them finish (up to RUNAWAY_FACTOR).
    time_limit_factor: float | None
    opening: str  # the greeting's first sentence
    closing: str
    nudge: str  # after silence at the start of an answer
    wrap_up: str  # when stopping an answer at the time limit
    skipped: str
    manner: str  # for an LLM interviewer's follow-up prompt

    def time_limit(self, target_seconds: float) -> float:
        return target_seconds * (self.time_limit_factor or RUNAWAY_FACTOR)

    @property
    def interrupts(self) -> bool:
        return self.time_limit_factor is not None


# Even a style that lets candidates finish ends an answer at three times its target length:
# by then the candidate has lost the thread or left the room.
RUNAWAY_FACTOR = 3.0

STYLES = {
    "friendly": Style(
        "friendly", follow_ups=1, time_limit_factor=None,
        opening="Hi, it's really nice to meet you, and thanks for making the time.",
        closing="That's everything from me. Thank you, you did well to stay with it. I'll put "
                "your feedback together now.",
        nudge="No rush at all. Take a moment, and start whenever you're ready.",
        wrap_up="Let's pause there, thank you, that was a lot of good detail.",
        skipped="Of course, no problem at all. Let's try the next one.",
        manner="Warm and encouraging: acknowledge the answer briefly before asking, and phrase "
               "the probe as an invitation."),
    "neutral": Style(
        "neutral", follow_ups=2, time_limit_factor=1.5,
        opening="Hi, thanks for making the time.",
        closing="That's all from me. Thank you, I'll put your feedback together now.",
        nudge="Take your time. Whenever you're ready, go ahead.",
        wrap_up="Let me stop you there, thank you.",
        skipped="No problem, let's move on.",
        manner="Neutral and professional, like a real interviewer at a good company."),
    "tough": Style(
        "tough", follow_ups=3, time_limit_factor=1.0,
        opening="Hello. We have a lot to get through, so let's be efficient.",
        closing="That's all. I'll put your feedback together now.",
        nudge="Go ahead when you're ready.",
        wrap_up="I'm going to stop you there.",
        skipped="Fine. Next question.",
        manner="Direct and sceptical, like a demanding senior interviewer: press on vague or "
               "unsupported claims and ask for specifics, without being rude."),
}
DEFAULT_STYLE = "neutral"
