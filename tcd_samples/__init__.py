"""Sample district reports: the calibrated demo sample and synthetic loads for benchmarks."""

from dagster_project.samples.generator import SCALES, GenerationResult, generate, write_sample

__all__ = ["SCALES", "GenerationResult", "generate", "write_sample"]
