"""A scriptable OpenAI-compatible HTTP server on 127.0.0.1, for tests.

It speaks real HTTP and server-sent events to the real openai client. Replies are scripted:
queue `Reply` objects (status codes, delays, streams cut off mid-way, bad JSON), and when the
queue is empty a `responder` function answers. Speech endpoints use real engines: espeak-ng
for audio.speech, faster-whisper for audio.transcriptions.
"""

from __future__ import annotations

import email.parser
import email.policy
import itertools
import json
import subprocess
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from simulator.core.questions import load_bank
from simulator.interviewers.rubric import assess


@dataclass
class Reply:
    content: str = ""  # the assistant's message text
    status: int = 200
    error: str = "server error"  # the error message for non-200 replies
    delay: float = 0.0  # seconds before answering
    cut_after: int | None = None  # stream: drop the connection after this many chunks
    chunk: int = 12  # stream: characters per chunk
    chunk_delay: float = 0.0  # stream: seconds between chunks
    refusal: str | None = None
    endless: bool = False  # stream: repeat the content for ever, as a runaway model does
    web_page: bool = False  # a 200 HTML page, as a web server at the wrong address sends


@dataclass
class FakeOpenAI:
    responder: Callable[[dict], Reply] = field(default=lambda request: Reply("{}"))
    queue: deque = field(default_factory=deque)
    requests: list[dict] = field(default_factory=list)
    finished: list[dict] = field(default_factory=list)  # chat requests streamed to the end
    headers: list[dict] = field(default_factory=list)
    transcriber: object = None  # audio.stt.WhisperTranscriber for audio.transcriptions
    # Hold the first request that `gate` picks until `release` is set: a moment to kill the
    # client in, while it waits on the server.
    gate: Callable[[dict], bool] | None = None
    arrived: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    models: tuple[str, ...] = ("test-model",)  # what GET /models lists, in this order
    port: int = 0  # 0: any free port
    listed: list[str] = field(default_factory=list)  # the paths of GET requests

    def hold(self, request: dict) -> None:
        if self.gate is not None and not self.arrived.is_set() and self.gate(request):
            self.arrived.set()
            self.release.wait(60)

    def enqueue(self, *replies: Reply) -> None:
        self.queue.extend(replies)

    def next_reply(self, request: dict) -> Reply:
        return self.queue.popleft() if self.queue else self.responder(request)

    def chat_requests(self) -> list[dict]:
        return [r for r in self.requests if r.get("_path", "").endswith("/chat/completions")]

    def __enter__(self) -> FakeOpenAI:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                fake.listed.append(self.path)
                if self.path.endswith("/models"):
                    self.send_json(200, {"object": "list", "data": [
                        {"id": model, "object": "model", "created": 0, "owned_by": "tests"}
                        for model in fake.models]})
                else:
                    self.send_json(404, {"error": {"message": "no such endpoint"}})

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                fake.headers.append(dict(self.headers))
                if self.path.endswith("/chat/completions"):
                    request = json.loads(body)
                    request["_path"] = self.path
                    request["_arrived"] = time.monotonic()
                    fake.requests.append(request)
                    fake.hold(request)
                    self.chat(request, fake.next_reply(request))
                elif self.path.endswith("/audio/speech"):
                    request = json.loads(body)
                    request["_path"] = self.path
                    fake.requests.append(request)
                    fake.hold(request)
                    self.speech(request)
                elif self.path.endswith("/audio/transcriptions"):
                    fake.requests.append({"_path": self.path})
                    fake.hold({"_path": self.path})
                    self.transcription(body)
                else:
                    self.send_json(404, {"error": {"message": "no such endpoint"}})

            def send_json(self, status: int, data: dict) -> None:
                raw = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def chat(self, request: dict, reply: Reply) -> None:
                time.sleep(reply.delay)
                if reply.status != 200:
                    self.send_json(reply.status, {"error": {"message": reply.error,
                                                            "type": "server_error"}})
                    return
                if reply.web_page:
                    raw = b"<!doctype html><html><body><h1>Welcome</h1></body></html>\n"
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.send_header("Content-Length", str(len(raw)))
                    self.end_headers()
                    self.wfile.write(raw)
                    return
                base = {"id": "chatcmpl-1", "created": int(time.time()),
                        "model": request.get("model", "")}
                if not request.get("stream"):
                    message = {"role": "assistant", "content": reply.content,
                               "refusal": reply.refusal}
                    self.send_json(200, {**base, "object": "chat.completion", "choices": [
                        {"index": 0, "message": message, "finish_reason": "stop"}]})
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                content = reply.content
                # A token is about four characters: a reply longer than max_tokens is cut
                # there and finishes with "length", as real servers do.
                limit = request.get("max_tokens") or request.get("max_completion_tokens")
                finish = "stop"
                if limit and len(content) > 4 * int(limit):
                    content, finish = content[:4 * int(limit)], "length"
                pieces = [content[i:i + reply.chunk]
                          for i in range(0, len(content), reply.chunk)] or [""]
                if reply.endless:
                    pieces = itertools.cycle(pieces)  # type: ignore[assignment]
                try:
                    for n, piece in enumerate(pieces):
                        if reply.cut_after is not None and n >= reply.cut_after:
                            # Gone mid-reply: no final chunk, no [DONE], connection closed.
                            self.wfile.flush()
                            self.close_connection = True
                            self.connection.shutdown(2)
                            return
                        time.sleep(reply.chunk_delay)
                        delta = {"content": piece}
                        if reply.refusal and n == 0:
                            delta = {"refusal": reply.refusal}
                        self.event({**base, "object": "chat.completion.chunk", "choices": [
                            {"index": 0, "delta": delta, "finish_reason": None}]})
                    self.event({**base, "object": "chat.completion.chunk", "choices": [
                        {"index": 0, "delta": {}, "finish_reason": finish}]})
                except (BrokenPipeError, ConnectionResetError):
                    return  # the client hung up, as it does on a runaway reply
                self.write_chunk(b"data: [DONE]\n\n")
                self.write_chunk(b"")
                fake.finished.append(request)

            def event(self, data: dict) -> None:
                self.write_chunk(f"data: {json.dumps(data)}\n\n".encode())

            def write_chunk(self, raw: bytes) -> None:
                self.wfile.write(f"{len(raw):x}\r\n".encode() + raw + b"\r\n")
                self.wfile.flush()

            def speech(self, request: dict) -> None:
                with tempfile.TemporaryDirectory() as tmp:
                    out = Path(tmp) / "speech.wav"
                    subprocess.run(["espeak-ng", "-w", str(out), "--", request["input"]],
                                   check=True)
                    raw = out.read_bytes()
                self.send_response(200)
                self.send_header("Content-Type", "audio/wav")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def transcription(self, body: bytes) -> None:
                head = f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode()
                message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
                    head + body)
                upload = next(p for p in message.iter_parts()
                              if p.get_param("name", header="content-disposition") == "file")
                from audio.pcm import read_audio

                with tempfile.NamedTemporaryFile(suffix=".wav") as f:
                    f.write(upload.get_payload(decode=True))
                    f.flush()
                    t = fake.transcriber.transcribe(read_audio(Path(f.name)))
                self.send_json(200, {"text": t.text, "language": "en", "duration": t.duration,
                                     "words": [{"word": w.word, "start": w.start, "end": w.end}
                                               for w in t.words]})

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"


def task_of(request: dict) -> str:
    """Which prompt a chat request carries: 'follow_up' or 'critique'."""
    text = " ".join(m.get("content", "") for m in request.get("messages", []))
    return "critique" if "TASK: critique" in text else "follow_up"


def transcript_of(request: dict) -> str:
    text = request["messages"][-1]["content"]
    if "<transcript>" not in text:
        text = " ".join(m.get("content", "") for m in request["messages"])
    return text.split("<transcript>")[-1].split("</transcript>")[0].strip()


def rubric_ids(request: dict) -> list[str]:
    text = next(m["content"] for m in request["messages"] if "Rubric points" in m["content"])
    return [line.split("- ", 1)[1].split(" (weight")[0]
            for line in text.splitlines() if "(weight" in line]


def fair_model(request: dict) -> Reply:
    """A stand-in LLM that behaves sensibly: it probes once, and grades by the rubric."""
    if task_of(request) == "follow_up":
        if "may still ask on this question: 0" in request["messages"][-1]["content"]:
            return Reply(json.dumps({"action": "move_on", "point_id": None, "question": ""}))
        probe = rubric_ids(request)[-1]
        return Reply(json.dumps({"action": "probe", "point_id": probe,
                                 "question": "What would you do first? And why?"}))
    text = transcript_of(request)
    asked = request["messages"][-1]["content"]
    question = next(q for q in load_bank().questions if q.text in asked)
    points = [{"id": p.id, "status": p.status, "evidence": p.evidence}
              for p in assess(question, text)]
    return Reply(json.dumps({"points": points, "strengths": ["Clear structure."],
                             "gaps": ["Name the stakeholders."],
                             "better_answer": "Start with the user, then the plan.",
                             "practice": ["Quantify impact", "Name owners"]}))
