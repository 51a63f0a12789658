"""KetaCare's clinical core: instrument scoring, dose planning, eligibility and outcomes.

Pure Python (no Django, no I/O, no clock) so a clinician can review it against
/work/shared/clinical-reference.md and it can be tested exhaustively.
"""
