"""A whole encoded result (FLAC, MP3, …) is written by a helper OS thread that nothing can stop: what interrupts
the greenlet waiting for it (a connection's deadline, shutdown's kill) waits for the thread's call before the file
is closed under it, and is raised as itself (a deadline is not a full disk)."""

from __future__ import annotations

import errno
import threading

import gevent
import numpy as np

from tts.audio import AudioChunk
from tts.audio.encode import WholeEncoder
from tts.request import SynthesisRequest
from tts.service.jobs import Job
from tts.web import responses


def flac_job() -> Job:
    job = Job(SynthesisRequest(text="你好", voice="baker", format="flac"))
    job.start()
    job.add(AudioChunk(np.full(24000, 0.25, np.float32), 24000, 0))
    job.finish()
    return job


def test_a_deadline_thrown_in_as_the_thread_writes_waits_for_it_and_is_not_a_full_disk(monkeypatch):
    """The file was closed while the thread still wrote it, and the deadline answered as 507 disk_full."""
    writing, release, closed_under_it = threading.Event(), threading.Event(), []
    write = WholeEncoder.write

    def held_write(self, samples):   # on the helper thread: held until the greenlet has been interrupted
        writing.set()
        release.wait(60)
        closed_under_it.append(self._out.closed)
        write(self, samples)

    monkeypatch.setattr(WholeEncoder, "write", held_write)
    encoding = gevent.spawn(responses._EncodedBody, flac_job())
    while not writing.is_set():   # the thread has the block
        gevent.sleep(0.01)
    deadline = OSError(errno.ETIMEDOUT, "the client stopped reading")   # what a ConnectionDeadline is
    encoding.kill(deadline, block=False)
    gevent.sleep(0)   # thrown in now, the thread still held
    release.set()
    encoding.join(60)
    assert encoding.exception is deadline and closed_under_it == [False]
