"""Test helpers: decoding audio as a player would, and measuring its pitch."""

from __future__ import annotations

import io

import av
import numpy as np
import soundfile

from live import ROOT  # noqa: F401  (test modules take the project root from here)


def decode(data: bytes) -> tuple[np.ndarray, int]:
    """Decode audio bytes as a player would: libsndfile, or ffmpeg's decoders (through PyAV) for
    what libsndfile does not read (AAC, a streamed FLAC of unknown length)."""
    try:
        samples, rate = soundfile.read(io.BytesIO(data), dtype="float32")
    except (soundfile.LibsndfileError, ValueError):
        return decode_with_ffmpeg(data)
    return samples, rate


def decode_with_ffmpeg(data: bytes) -> tuple[np.ndarray, int]:
    """Mono float32 samples and the rate, as ffmpeg's decoders give them (Opus: always 48 kHz)."""
    with av.open(io.BytesIO(data)) as audio:
        frames = [frame.to_ndarray().reshape(-1) for frame in audio.decode(audio=0)]
        rate = audio.streams.audio[0].codec_context.sample_rate
    samples = np.concatenate(frames) if frames else np.zeros(0, np.float32)
    if samples.dtype == np.int16:
        samples = samples.astype(np.float32) / 32768.0
    return samples.astype(np.float32), rate


def median_f0(samples: np.ndarray, rate: int) -> float:
    """Median fundamental over voiced 40 ms frames, by autocorrelation (60–600 Hz)."""
    frame, found = int(0.04 * rate), []
    for start in range(0, len(samples) - frame, frame // 2):
        window = samples[start:start + frame]
        if np.sqrt(np.mean(window ** 2)) < 0.05:
            continue
        window = window - window.mean()
        corr = np.correlate(window, window, "full")[frame - 1:]
        low, high = rate // 600, rate // 60
        lag = low + int(np.argmax(corr[low:high]))
        if corr[lag] > 0.3 * corr[0]:
            found.append(rate / lag)
    return float(np.median(found))


class BrowserReference:
    """What the page makes of a POST /tts/hidden stream (static/vocoder/), natively: each call's mel
    (the server's, or the decoder graph's squeezed by its stretch), vocoded in one pass, each phrase
    calibrated (the start record's `calibration_db`, soft knee), then given its `volume_db` through the
    per-phrase peak limiter, pauses as silence."""

    def __init__(self, vocoder_dir: str) -> None:
        import onnxruntime as ort

        from tts.engines import embedded, embedded_decoder, embedded_vocoder

        def session(path):
            return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        # the engine's own loader: as uint8 weights where int8 products would saturate (x86 without
        # VNNI), so its mels are the page's exact ones on every machine
        self._decoder = embedded._OnnxDecoder(embedded_decoder.verified(vocoder_dir),
                                              embedded.integer_products_saturate())
        self._head, self._tail = (session(path) for path in embedded_vocoder.verified(vocoder_dir))

    def mel(self, header: dict, payload: bytes) -> np.ndarray:
        from tts.audio.effects import squeeze_frames
        from tts.hidden import unpack

        if header["type"] == "mel":
            return np.frombuffer(payload, "<f4").reshape(1, header["frames"], 80)
        hidden, durations = unpack(header, payload)
        return squeeze_frames(self._decoder(hidden[None], durations[None]), header["stretch"])

    def call(self, header: dict, payload: bytes, min_frames: int) -> np.ndarray:
        mel = self.mel(header, payload)
        frames = mel.shape[1]
        if frames < min_frames:   # very short: the last frame repeated, cut back after
            mel = np.pad(mel, ((0, 0), (0, min_frames - frames), (0, 0)), mode="edge")
        (features,) = self._head.run(None, {"mel": mel})
        (audio,) = self._tail.run(None, {"features": features})
        return audio[0, :frames * 300]

    def audio(self, records: list[tuple[dict, bytes]]) -> np.ndarray:
        from tts.audio.effects import apply_gain, calibrate

        start, made, phrase, at = records[0][0], [], [], 0
        for header, payload in records[1:-1] + [({"type": "pause", "phrase": -1, "samples": 0}, b"")]:
            if phrase and (header["type"] == "pause" or header["phrase"] != at):   # a phrase is whole
                audio = np.concatenate(phrase)
                audio = calibrate(audio, start["calibration_db"]) if start["calibration_db"] else audio
                made.append(apply_gain(audio, start["volume_db"]) if start["volume_db"] else audio)
                phrase = []
            if header["type"] == "pause":
                made.append(np.zeros(header["samples"], np.float32))
            else:
                phrase.append(self.call(header, payload, start["vocoder"]["min_frames"]))
            at = header["phrase"]
        return np.concatenate(made)


def snr_db(reference: np.ndarray, test: np.ndarray) -> float:
    reference = np.asarray(reference, np.float64)
    noise = reference - test
    return float(10 * np.log10(np.sum(reference ** 2) / max(np.sum(noise ** 2), 1e-20)))
