-- For the rebuilds from scratch that follow in this transaction: room for their
-- hashes and sorts of some hundred thousand exposures in memory rather than on
-- disk, and no JIT compile for plans that run once.
SET LOCAL work_mem = '64MB';
SET LOCAL jit = off
