-- One writer per layer: every load of a layer takes this transaction-level advisory lock
-- first, so two loads of the same layer run one after the other (released at commit or
-- rollback). Keyed by (a constant for "layer load", the layer's key).
SELECT pg_advisory_xact_lock(hashtext('watershed.layer_load'), hashtext(:layer))
