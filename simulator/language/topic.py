"""Whether a story is about work: the words of a product job that it uses.

A behavioural answer earns its points by what the candidate did, and the rubric's actions
("told them", "rolled it back", "measured it") are as much at home in a story about coaching a
football team as in one about a launch. An interviewer would not credit those: the question
asks about the candidate's work. So a story question's points need the story to be set in a
workplace, which shows in its words: products, customers, colleagues, the company's rhythm.
"""

from __future__ import annotations

import re

from simulator.language.words import spellings

# The everyday words of product work, in any industry. Kept to words that rarely appear in a
# story about life outside work: not "team", "plan", "lead" (a band's), "site" (a building
# site), "design" (a school project), "pm" (the time of day).
WORK_WORDS = frozenset(spellings("""
    product products feature features launch launched launches release released roadmap
    roadmaps sprint sprints backlog ticket tickets spec specs prd prds mvp beta pilot rollout
    customer customers client clients user users stakeholder stakeholders
    company companies startup startups business businesses enterprise org organisation
    organization department division employer office
    engineer engineers engineering developer developers designer designers research
    researcher researchers analyst analysts data scientist scientists qa
    manager managers director directors vp vps ceo cto cpo coo exec execs executive
    executives leadership founder founders head boss colleague colleagues
    sales marketing support ops operations finance legal compliance security partnerships
    vendor vendors supplier suppliers contract contracts deal deals
    revenue churn retention conversion funnel metric metrics kpi kpis okr okrs dashboard
    dashboards analytics experiment experiments nps arr mrr pricing subscription subscriptions
    app apps platform api apis dashboard mobile web checkout onboarding signup signups
    integration integrations infrastructure server servers outage incident incidents bug bugs
    quarter quarterly q1 q2 q3 q4 standup retro roadmap planning review reviews
    saas b2b b2c fintech marketplace ecommerce software hardware
    role roles hire hired hiring promotion shipped ship shipping website online
    order orders delivery email emails slack jira figma notion confluence
"""))
# How candidates place a story at work ("I was at a photo editing app", "at my last job"):
# each counts as much as MIN_WORK_WORDS - 1 words, since it is the workplace said outright.
WORKPLACE = re.compile(
    r"\b(?:i (?:was|worked|work) (?:at|for|in) (?:a|an|the|this|my)|at my (?:last|previous|"
    r"old|current|first|second|new) (?:job|company|place|role|startup|employer|team|gig)|"
    r"(?:when|while) i was (?:at|working at|working for)|in my (?:last|previous|current|first) "
    r"(?:job|role|company|position))\b", re.I)
# Fewer different work words than this and a story is about something else. Tuned on the
# rambling answers in tests/data/coaching/behavioural-tune.toml.
MIN_WORK_WORDS = 3


def work_words(text: str) -> set[str]:
    return {w for w in spellings(text) if w in WORK_WORDS}


def about_work(text: str) -> bool:
    said = len(work_words(text)) + (MIN_WORK_WORDS - 1) * bool(WORKPLACE.search(text))
    return said >= MIN_WORK_WORDS
