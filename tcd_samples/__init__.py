"""Sample district reports: the calibrated demo sample and synthetic loads for benchmarks."""

from tcd_samples.generator import SCALES, GenerationResult, generate, write_sample

__all__ = ["SCALES", "GenerationResult", "generate", "write_sample"]
