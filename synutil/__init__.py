"""synutil — utility theory of synthetic data, as a toolkit.

Generalization utility and ranking consistency of models trained on synthetic data, fidelity
measures, the closed forms of the book's theorems, generators with one fidelity knob each, and a
seeded replication runner. See the book "Utility Theory of Synthetic Data" that ships with it.
"""

__version__ = "0.1.0"
