"""Whose audio the worker makes next: fair turns between the requests admitted.

The worker makes one chunk at a time (a phrase, or a part of one for the embedded voice's
vocoder), and between any two chunks it may switch to another request. A `Turn` is one
admitted request's place in that schedule: its rendering, what is left of it, and, for a
streaming request, how far its audio runs ahead of what its client has played. A policy
picks the next turn:

- `fifo`: one request at a time, in the order they came (how the server worked before);
- `round_robin`: every request a chunk in turn;
- `shortest` (the default): the request with the least work left, so a short request is
  never stuck behind a long one, and the long one is delayed only by work that really is
  shorter. Measured (`python -m tts.bench turns`, embedded voice, short requests while two
  long ones run): p50 0.33 s against 5.7 s for round robin (which makes a short request
  share the worker with every long one, chunk for chunk) and 32.5 s for fifo; the long ones
  finish no later than under round robin.

With either fair policy, a request that has waited `STARVE_SECONDS` for a turn gets the next
one, so neither a steady stream of short requests nor a stream in a hurry can stall the rest.

Streaming requests (round_robin and shortest) are served by their deadline: a stream's
client plays audio in real time from its first chunk, so a stream whose ready audio runs
less than `STREAM_MARGIN_SECONDS` (plus the time its next phrase takes) ahead of playback
goes first, the one closest to running dry first (as many streams as the worker can keep in
real time together, oldest first: priority for more would only starve the rest); a stream
already `STREAM_AHEAD_SECONDS`
ahead waits while others have work (when nobody else does, it runs on: idle work is free).
A stream that has sent nothing yet counts, for `shortest`, as big as its first phrase: that
is what its client waits for.

Work is estimated in worker seconds, phrase by phrase: a phrase costs its voice's fixed
cost per phrase plus its cost per second times the phrase's estimated audio seconds (from
its syllables, tts.frontend.estimate). `CostModel` fits both to the phrases the worker
really made, starting from the engine's declared cost per audio second; cached phrases cost
nothing; planning a request costs its characters times a rate learned the same way. The
phrase under way counts the part of its audio not made yet. The same estimates give a
queued request's position, its expected wait, and the Retry-After of a full queue: when the
first slot will free. A step cannot be interrupted, so every one of those waits first for
what is left of the step in flight (a Kokoro phrase takes seconds): its estimate less the
time it has run.
"""

from __future__ import annotations

import itertools
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterator

from tts.frontend.estimate import audio_seconds
from tts.service.jobs import QUEUED, Job
from tts.synthesizer import Rendering

POLICIES = ("shortest", "round_robin", "fifo")
STREAM_MARGIN_SECONDS = 2.0    # audio a stream keeps ready beyond its next phrase's making before it goes first
STREAM_AHEAD_SECONDS = 10.0    # a stream this far ahead of its client yields to every other request
STARVE_SECONDS = 15.0          # shortest: a request kept waiting this long for a turn gets the next one
SECONDS_PER_CHARACTER = 0.2    # audio per character of a text not yet planned (tts.frontend.estimate: ~0.19-0.24)
SENTENCE_ENDS = "。！？；!?;\n"  # each ends a phrase of a text not yet planned
PRIOR_PHRASES = (2.0, 8.0)     # the declared cost stands for two phrases of these audio seconds…
PRIOR_WEIGHT = 2.0             # …each weighing as much as this many measured phrases
HALF_LIFE_AUDIO_SECONDS = 120.0   # measurements this much audio old count half
PLAN_SECONDS_PER_CHARACTER = 0.0003   # planning (frontend + cache look-up), before any is measured (0.0002 loaded)
PLAN_PRIOR_CHARACTERS = 1000.0        # the declared planning rate weighs as much as this many characters planned
PLAN_HALF_LIFE_CHARACTERS = 5000.0    # planning measurements this many characters old count half
DONE_FRACTION = 0.75   # a phrase with this much of its estimated audio made is done (estimates lean long)


class CostModel:
    """Worker seconds per phrase, by voice: `fixed + per_second × audio seconds`, a least-squares
    line through the phrases made (older ones count less), starting from the engine's declared
    cost per audio second (no fixed part)."""

    def __init__(self, declared: Callable[[str], float]) -> None:
        self._declared = declared
        self._sums: dict[str, list[float]] = {}   # voice → decayed [n, Σx, Σy, Σx², Σxy]
        self._planned = [PLAN_PRIOR_CHARACTERS, PLAN_PRIOR_CHARACTERS * PLAN_SECONDS_PER_CHARACTER]   # Σchars, Σs

    def line(self, voice: str) -> tuple[float, float]:
        """(seconds per phrase, seconds per estimated audio second)."""
        n, x, y, xx, xy = self._sums.get(voice) or self._prior(voice)
        spread = n * xx - x * x
        per_second = (n * xy - x * y) / spread if spread > 1e-9 else y / x
        fixed = (y - per_second * x) / n
        if fixed < 0:   # a line through the origin, then
            return 0.0, xy / xx
        if per_second < 0:
            return y / n, 0.0
        return fixed, per_second

    def seconds(self, voice: str, audio: float, phrases: int = 1) -> float:
        """Worker seconds for `phrases` phrases of `audio` estimated seconds in all."""
        fixed, per_second = self.line(voice)
        return fixed * phrases + per_second * audio

    def rate(self, voice: str) -> float:
        """Worker seconds per estimated audio second, for a phrase of typical length (for reports)."""
        return self.seconds(voice, 5.0) / 5.0

    def observe(self, voice: str, seconds: float, audio: float) -> None:
        """The worker spent `seconds` on one phrase estimated at `audio` seconds of speech."""
        if audio <= 0:
            return
        sums = self._sums.setdefault(voice, self._prior(voice))
        keep = 0.5 ** (audio / HALF_LIFE_AUDIO_SECONDS)
        for i, value in enumerate((1.0, audio, seconds, audio * audio, audio * seconds)):
            sums[i] = sums[i] * keep + value

    def plan_seconds(self, characters: int) -> float:
        """Worker seconds to plan a text of `characters` (frontend and cache look-up)."""
        chars, seconds = self._planned
        return characters * seconds / chars

    def observe_plan(self, characters: int, seconds: float) -> None:
        """Planning `characters` took `seconds`; older measurements fade as more text is planned."""
        keep = 0.5 ** (characters / PLAN_HALF_LIFE_CHARACTERS)
        self._planned = [self._planned[0] * keep + characters, self._planned[1] * keep + seconds]

    def _prior(self, voice: str) -> list[float]:
        rate = self._declared(voice)
        return [sum(PRIOR_WEIGHT * v for v in values) for values in
                zip(*((1.0, x, rate * x, x * x, rate * x * x) for x in PRIOR_PHRASES))]


_order = itertools.count()


@dataclass(eq=False)
class Turn:
    """One admitted request in the schedule (its followers ride along on its audio)."""

    job: Job
    order: int = field(default_factory=lambda: next(_order))
    rendering: Rendering | None = None
    estimates: list[float] = field(default_factory=list)   # estimated audio s per phrase; 0 when cached
    _audio_from: list[float] = field(default_factory=list)   # Σ estimates[i:], to answer `work` at once
    _count_from: list[int] = field(default_factory=list)     # phrases to make from i on
    phrase: int = -1              # the phrase the last chunk belonged to
    phrase_seconds: float = 0.0   # worker seconds spent on that phrase so far
    phrase_audio: float = 0.0     # audio seconds made of it so far (its pause included)
    seconds: float = 0.0          # worker seconds spent on this request so far
    served: float = field(default_factory=time.monotonic)   # when it last had a turn (or came)
    first_audio: float | None = None                        # when its first chunk was made

    @property
    def voice(self) -> str | None:
        return self.job.request.voice

    @property
    def streaming(self) -> bool:
        return any(j.request.stream and not j.cancelled for j in (self.job, *self.job.followers))

    def planned(self, rendering: Rendering) -> None:
        """The frontend has run: estimate each phrase (a phrase the cache holds costs nothing)."""
        plan = rendering.plan
        speed = self.job.request.speed
        self.rendering = rendering
        self.estimates = [0.0 if key in rendering.cached else audio_seconds([phrase], speed)
                          for phrase, key in zip(plan.phrases, plan.keys)]
        self._audio_from = [*itertools.accumulate(reversed(self.estimates))][::-1] + [0.0]
        self._count_from = [*itertools.accumulate(int(e > 0) for e in reversed(self.estimates))][::-1] + [0]

    def work(self, costs: CostModel) -> float:
        """Estimated worker seconds still to spend (of the phrase under way, the part not made yet)."""
        voice = self.voice
        if self.rendering is None:   # not planned yet: its planning, then a phrase per sentence, from the characters
            text = self.job.request.text
            audio = len(text) * SECONDS_PER_CHARACTER / self.job.request.speed
            phrases = max(1, sum(map(text.count, SENTENCE_ENDS)))
            return costs.plan_seconds(len(text)) + costs.seconds(voice, audio, phrases)
        rest = costs.seconds(voice, self._audio_from[self.phrase + 1], self._count_from[self.phrase + 1])
        return rest + self._left_of_phrase(costs)

    def step(self, costs: CostModel) -> float:
        """Estimated worker seconds of its next step (what one turn costs): its planning, the rest
        of the phrase under way (a whole phrase for an engine that makes it in one chunk; an
        engine that chunks a phrase makes a part, a small overestimate), or its next phrase."""
        if self.rendering is None:
            return costs.plan_seconds(len(self.job.request.text))
        left = self._left_of_phrase(costs)
        following = self.phrase + 1
        if left > 0 or following >= len(self.estimates) or self.estimates[following] <= 0:
            return left
        return costs.seconds(self.voice, self.estimates[following])

    def _left_of_phrase(self, costs: CostModel) -> float:
        """Worker seconds still to spend on the phrase under way: its cost times the part of its audio not made."""
        if not 0 <= self.phrase < len(self.estimates) or self.estimates[self.phrase] <= 0:
            return 0.0
        made = self.phrase_audio / self.estimates[self.phrase]
        return 0.0 if made >= DONE_FRACTION else costs.seconds(self.voice, self.estimates[self.phrase]) * (1 - made)

    def next_phrase(self, costs: CostModel) -> float:
        """Estimated worker seconds of the phrase it needs next."""
        if self.rendering is None:
            return self.work(costs)
        audio = self.estimates[max(self.phrase, 0)] if max(self.phrase, 0) < len(self.estimates) else 0.0
        return costs.seconds(self.voice, audio) if audio > 0 else 0.0

    def lead(self, now: float) -> float:
        """Seconds of audio ready beyond what a real-time client has played since the first chunk."""
        return self.first_audio + self.job.audio.seconds - now

    def made(self, phrase: int, seconds: float, costs: CostModel, audio: float = 0.0) -> None:
        """A chunk of `phrase` (`audio` seconds long) took `seconds` of the worker; a phrase left
        behind teaches `costs`."""
        if phrase != self.phrase:
            self.settle(costs)
            self.phrase = phrase
        self.phrase_seconds += seconds
        self.phrase_audio += audio
        self.seconds += seconds
        if self.first_audio is None:
            self.first_audio = time.monotonic()

    def settle(self, costs: CostModel) -> None:
        """Teach `costs` what the phrase under way took (call at its end)."""
        if 0 <= self.phrase < len(self.estimates) and self.estimates[self.phrase] > 0:
            costs.observe(self.voice, self.phrase_seconds, self.estimates[self.phrase])
        self.phrase_seconds = self.phrase_audio = 0.0


class Schedule:
    """The turns admitted and the policy that orders them. Everything runs on the hub."""

    def __init__(self, policy: str, costs: CostModel) -> None:
        if policy not in POLICIES:
            raise ValueError(f"policy must be one of {POLICIES}, got {policy!r}")
        self.policy = policy
        self.costs = costs
        self.turns: list[Turn] = []
        self._last: Turn | None = None   # round_robin: who had the last turn
        self._flight: tuple[Turn, float] | None = None   # the turn whose step the worker runs, since when

    def __len__(self) -> int:
        return len(self.turns)

    def add(self, job: Job) -> Turn:
        turn = Turn(job)
        self.turns.append(turn)
        return turn

    def remove(self, turn: Turn) -> None:
        if turn in self.turns:
            self.turns.remove(turn)
        if self._flight is not None and self._flight[0] is turn:
            self._flight = None

    @contextmanager
    def stepping(self, turn: Turn, now: float | None = None) -> Iterator[None]:
        """While the worker runs a step of `turn` (its planning or a chunk), begun at `now`."""
        self._flight = turn, time.monotonic() if now is None else now
        try:
            yield
        finally:
            self._flight = None

    def in_flight(self, now: float | None = None) -> float:
        """Estimated worker seconds left of the step in flight (0 when none): its estimate less the
        time it has run (0 once it has run longer than estimated)."""
        if self._flight is None:
            return 0.0
        turn, started = self._flight
        now = time.monotonic() if now is None else now
        return max(0.0, turn.step(self.costs) - (now - started))

    def find(self, job: Job) -> Turn | None:
        return next((t for t in self.turns if t.job is job), None)

    def work(self, turn: Turn) -> float:
        """Estimated worker seconds left for `turn`."""
        return turn.work(self.costs)

    # -- whose turn ---------------------------------------------------------------------
    def pick(self, now: float | None = None) -> Turn:
        """The turn to serve next (there must be one). Requests not planned yet go first:
        planning is short, and it tells what the request will cost."""
        now = time.monotonic() if now is None else now
        unplanned = [t for t in self.turns if t.rendering is None]
        if unplanned:
            return min(unplanned, key=lambda t: t.order)
        if self.policy != "fifo":
            starved = [t for t in self.turns if now - t.served >= STARVE_SECONDS]
            if starved:
                return self._served(min(starved, key=lambda t: t.served), now)
            urgent = [t for t in self._keeping_up() if t.lead(now) < self._margin(t)]
            if urgent:
                return self._served(min(urgent, key=lambda t: t.lead(now)), now)
        return self._served(self.order(now)[0], now)

    def order(self, now: float | None = None) -> list[Turn]:
        """Every turn in the order the policy would serve them, all else equal."""
        now = time.monotonic() if now is None else now
        turns = sorted(self.turns, key=lambda t: t.order)
        if self.policy == "fifo":
            return turns
        if self.policy == "round_robin":
            cut = turns.index(self._last) + 1 if self._last in turns else 0
            turns = turns[cut:] + turns[:cut]
        else:
            starved = [t for t in turns if now - t.served >= STARVE_SECONDS]
            turns = starved + sorted((t for t in turns if t not in starved), key=self._size)
        ahead = [t for t in self._playing() if t.lead(now) >= STREAM_AHEAD_SECONDS]
        return [t for t in turns if t not in ahead] + ahead

    def _size(self, turn: Turn) -> tuple[float, int]:
        """shortest: what a request waits for (a stream not started: its first phrase), then age."""
        first = turn.streaming and turn.first_audio is None
        return turn.next_phrase(self.costs) if first else turn.work(self.costs), turn.order

    def _playing(self) -> list[Turn]:
        """Streams whose client has audio (a stream not started is neither urgent nor ahead)."""
        return [t for t in self.turns if t.streaming and t.first_audio is not None]

    def _keeping_up(self) -> list[Turn]:
        """The playing streams the worker can keep in real time together, oldest first: priority for
        more would only starve the others (those stall anyway; they take turns like any request)."""
        share, feasible = 0.0, []
        for turn in sorted(self._playing(), key=lambda t: t.order):
            share += self.costs.rate(turn.voice)   # worker seconds per second of playback
            if share >= 1.0:
                break
            feasible.append(turn)
        return feasible

    def _margin(self, turn: Turn) -> float:
        return STREAM_MARGIN_SECONDS + turn.next_phrase(self.costs)

    def _served(self, turn: Turn, now: float) -> Turn:
        turn.served, self._last = now, turn
        return turn

    # -- what the queue holds -------------------------------------------------------------
    def finish_times(self, now: float | None = None) -> dict[Turn, float]:
        """Estimated seconds from now until each turn is done, under this policy: first what is
        left of the step in flight (nobody's turn comes before it returns), then the work queued."""
        head = self.in_flight(now)
        work = {t: self.work(t) for t in self.turns}
        if self._flight is not None:   # its turn's step is counted in the head
            turn = self._flight[0]
            work[turn] = max(0.0, work[turn] - turn.step(self.costs))
        if self.policy == "round_robin":   # processor sharing: the smaller ones end first, sharing till then
            return {t: head + sum(min(w, work[t]) for w in work.values()) for t in self.turns}
        ends, total = {}, head
        for turn in self.order() if self.policy == "fifo" else sorted(self.turns, key=self._size):
            total += work[turn]
            ends[turn] = total
        return ends

    def first_free(self, now: float | None = None) -> float:
        """Estimated seconds until a slot frees (the Retry-After of a full queue)."""
        return min(self.finish_times(now).values(), default=0.0)

    def position(self, turn: Turn) -> int:
        """0 once `turn` has had a turn; else 1 + the requests not started yet that the policy serves first."""
        waiting = [t for t in self.order() if t.job.status == QUEUED]
        return waiting.index(turn) + 1 if turn in waiting else 0
