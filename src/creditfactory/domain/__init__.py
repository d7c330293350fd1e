"""Entities and value objects shared by every part; pure, no I/O, standard library only.

- ``case``, ``route``: a case's path through the process as a state machine over the step graph
- ``task``: a case's wait at a staffed step, claimed and completed by one person
- ``application``: the application as kept, its terms and the decisions recorded on it
- ``bank``: the package at a partner bank (answered once) and the loan it pays out
- ``errors``: the illegal moves; ``money``, ``identity``, ``roles``: values and their checks
"""
