"""Queue, worker and jobs: between the web layer and the synthesizer."""
