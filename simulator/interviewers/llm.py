"""An interviewer backed by an LLM through the openai package (OpenAI or any compatible server).

It sees each question's model answer direction and rubric; the candidate never hears them.
Whatever the model says, the critique is the shared data model: statuses per rubric point,
evidence that must be a real quote, and a score computed here, never taken from the model.
When the server cannot give a usable reply, the rubric interviewer takes over that step and
the decision or critique says so.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace

from simulator.core.contracts import Cancel, FollowUp, MoveOn, QuestionGrade, QuestionRecord
from simulator.core.critique import Critique, PointResult, QuestionCritique, weighted_score
from simulator.core.questions import Question
from simulator.core.style import DEFAULT_STYLE, STYLES
from simulator.interviewers.prompting import Prompts
from simulator.interviewers.rubric import RubricInterviewer, critique_question, summarize
from simulator.interviewers.structured import StructuredChat, Unavailable
from simulator.language.quotes import find_quote
from simulator.language.specificity import measure as measure_specificity
from simulator.language.star import for_answer as star_for_answer
from simulator.language.words import spellings

# Evidence that reads as an instruction to the grader is never evidence of a skill.
INSTRUCTION_LIKE = re.compile(
    r"\b(ignore|disregard|forget|override)\b.{0,40}\b(instructions?|prompts?|rules?|rubric)\b"
    r"|\b(full|maximum|top|perfect)\s+(marks|score|points)\b"
    r"|\b(give|award|grade|score)\b.{0,30}\b(100|full|perfect|maximum)\b"
    r"|\bsystem prompt\b|\byou are now\b",
    re.I,
)
# Replies are short by design: one question, or a status and a quote per rubric point with a
# few lines of advice. A model that goes on past these is rambling, and is cut off.
MAX_TOKENS = {"follow_up": 300, "critique": 1500}
# A critique that grades fewer of the rubric's points than this is not about this rubric.
MIN_GRADED_SHARE = 0.5
_QUESTION_IN_STREAM = re.compile(r'"question"\s*:\s*"((?:[^"\\]|\\.)*?\?)')
_POINT_IN_STREAM = re.compile(r'"point_id"\s*:\s*(null|"((?:[^"\\]|\\.)*)")')


def _rubric_lines(q: Question) -> str:
    return "\n".join(f"  - {p.id} (weight {p.weight:g}): {p.strong}" for p in q.rubric)


# Words of the prompt, not of an interviewer: a follow-up that carries them is the model
# reading its instructions back ("Probe: 1. What the candidate has said so far?").
_PROMPT_WORDS = re.compile(
    r"\b(?:rubric|transcript|the candidate|candidate'?s answer|point_id|move_on|model answer|"
    r"follow[- ]up question|private notes|json)\b|^\s*(?:probe|question|action)\s*:", re.I)
ECHO_MIN_WORDS = 6  # a follow-up that quotes this many of the candidate's words back


def unusable_follow_up(question: str, q: Question, transcript: str) -> str | None:
    """Why a follow-up must not be spoken, or None when it is fit to say."""
    if not question.rstrip().endswith("?"):
        return "it is not a question"
    if _PROMPT_WORDS.search(question):
        return "it repeats the instructions"
    asked = set(_normal_words(question))
    for text in (q.model_answer, *(p.strong for p in q.rubric)):
        given = set(_normal_words(text))
        if len(given) >= 4 and len(asked & given) >= 0.7 * len(given):
            return "it reads out the rubric"
    if len(question.split()) >= ECHO_MIN_WORDS and find_quote(question, transcript):
        return "it echoes the candidate's answer"
    return None


def _normal_words(text: str) -> list[str]:
    return [w for w in spellings(text) if len(w) > 3]


def one_question(text: str) -> str:
    """Keep the first question only: an interviewer never asks two at once."""
    text = " ".join(text.split())
    end = text.find("?")
    return text[: end + 1] if end >= 0 else text


def _early_probe(text: str) -> dict | None:
    """A probe can be spoken once its first question is complete, before the reply ends."""
    if not re.search(r'"action"\s*:\s*"probe"', text):
        return None
    found = _QUESTION_IN_STREAM.search(text)
    if not found:
        return None
    point = _POINT_IN_STREAM.search(text)
    point_id = point.group(2) if point and point.group(2) is not None else None
    return {"action": "probe", "point_id": point_id,
            "question": json.loads(f'"{found.group(1)}"')}


def _why(exc: Unavailable) -> str:
    """What went wrong, and what to do about it when the user can (a key, an address)."""
    return f"{exc}: {exc.fix}" if exc.fix else str(exc)


@dataclass
class LLMInterviewer:
    chat: StructuredChat
    prompts: Prompts
    max_follow_ups: int = 2
    manner: str = STYLES[DEFAULT_STYLE].manner  # how follow-ups are worded, never the grading
    name: str = "openai"
    remote: bool = True
    fallback: RubricInterviewer = field(default_factory=RubricInterviewer)

    def _messages(self, template: str, **values: str) -> list[dict]:
        return [{"role": "system", "content": self.prompts.render("persona")},
                {"role": "user", "content": self.prompts.render(template, **values)}]

    def next_turn(self, record: QuestionRecord, cancel: Cancel | None = None
                  ) -> FollowUp | MoveOn:
        last = record.exchanges[-1] if record.exchanges else None
        if last is None or last.transcript is None or not last.transcript.text.strip():
            return MoveOn("no answer to follow up on")
        q = record.question
        asked = sum(1 for e in record.exchanges if e.kind == "follow_up")
        messages = self._messages(
            "follow_up", question=q.text, model_answer=q.model_answer, rubric=_rubric_lines(q),
            probed=", ".join(sorted(record.probed)) or "none",
            follow_ups_left=str(max(0, self.max_follow_ups - asked)),
            manner=self.manner,
            transcript=record.answer_text,
        )
        try:
            reply = self.chat.ask(messages, "follow_up", self.prompts.schema("follow_up"),
                                  early=_early_probe, max_tokens=MAX_TOKENS["follow_up"],
                                  cancel=cancel)
        except Unavailable as exc:
            if cancel is not None and cancel.is_set():
                return MoveOn("no longer wanted")  # nobody will read this decision
            decision = self.fallback.next_turn(record)
            return replace(decision, fallback=f"LLM unavailable ({_why(exc)}); rubric interviewer")
        question = one_question(str(reply.get("question", "")))
        if reply.get("action") != "probe" or not question:
            return MoveOn("the interviewer moved on")
        why = unusable_follow_up(question, q, record.answer_text)
        if why:
            decision = self.fallback.next_turn(record)
            return replace(decision, fallback=f"the model's follow-up was not used ({why}: "
                                              f"{question[:80]!r}); rubric interviewer")
        point_id = reply.get("point_id")
        if point_id not in {p.id for p in q.rubric}:
            point_id = None
        return FollowUp(question, point_id)

    def summarize(self, grades: list[QuestionGrade]) -> Critique:
        questions = [g.critique for g in grades]
        critique = summarize(self.name, questions)
        # The model's practice advice, weakest question first, topped up from the rubric.
        practice = [p for g in sorted(grades, key=lambda g: g.critique.score) for p in g.practice]
        critique.practice_next = list(dict.fromkeys(practice + critique.practice_next))[:3]
        critique.notes = [f"{q.question_id}: {n}" for q in questions for n in q.notes]
        return critique

    def grade(self, record: QuestionRecord) -> QuestionGrade:
        q = record.question
        transcript = record.answer_text
        if not transcript:
            return QuestionGrade(critique_question(record))
        messages = self._messages("critique", question=q.text, model_answer=q.model_answer,
                                  rubric=_rubric_lines(q), transcript=transcript)
        try:
            reply = self.chat.ask(messages, "critique", self.prompts.schema("critique"),
                                  max_tokens=MAX_TOKENS["critique"])
        except Unavailable as exc:
            return self._stand_in(record, f"The LLM was unavailable ({_why(exc)})")
        graded = {p["id"] for p in reply["points"]} & {p.id for p in q.rubric}
        if len(graded) < MIN_GRADED_SHARE * len(q.rubric):
            # Valid JSON about something else: seen from a 135M local model, which graded
            # points of its own invention. Counting every rubric point as missed would blame
            # the candidate for the model.
            return self._stand_in(record, f"The LLM's critique graded {len(graded)} of the "
                                          f"{len(q.rubric)} rubric points")
        return QuestionGrade(self._from_reply(q, transcript, reply),
                             [p for p in reply["practice"] if p.strip()])

    @staticmethod
    def _stand_in(record: QuestionRecord, why: str) -> QuestionGrade:
        fallback = critique_question(record)
        fallback.notes.insert(0, f"{why}; the rubric interviewer graded this question.")
        return QuestionGrade(fallback)

    def _from_reply(self, q: Question, transcript: str, reply: dict) -> QuestionCritique:
        given = {p["id"]: p for p in reply["points"]}
        notes: list[str] = []
        points: list[PointResult] = []
        for rp in q.rubric:
            got = given.get(rp.id)
            if got is None:
                notes.append(f"The model did not grade {rp.id}; counted as missed.")
                points.append(PointResult(rp.id, rp.strong, "missed", None, rp.weight))
                continue
            status, evidence = got["status"], got.get("evidence")
            if evidence:
                # Shown as the transcript's own words, whatever small liberties the quote took.
                exact = find_quote(evidence, transcript)
                if exact is None:
                    notes.append(f"Dropped evidence for {rp.id} that is not in the transcript.")
                evidence = exact
            if evidence and INSTRUCTION_LIKE.search(evidence):
                notes.append(f"Ignored evidence for {rp.id} that reads as an instruction.")
                evidence = None
            if status != "missed" and not evidence:
                # Credit needs the candidate's own words behind it.
                status = "missed"
            points.append(PointResult(rp.id, rp.strong, status, evidence, rp.weight))
        return QuestionCritique(
            question_id=q.id, category=q.category, question=q.text,
            score=weighted_score(points), points=points,
            strengths=[s for s in reply["strengths"] if s.strip()],
            to_add=[s for s in reply["gaps"] if s.strip()],
            model_answer=q.model_answer, answered=True,
            better_answer=reply["better_answer"].strip(), notes=notes,
            specificity=measure_specificity(transcript),
            star=star_for_answer(q.kind, transcript),
        )
