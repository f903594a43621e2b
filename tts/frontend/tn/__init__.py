"""Rules behind ``tts.frontend.normalize``: number reading, vocabularies and rewrite passes."""
