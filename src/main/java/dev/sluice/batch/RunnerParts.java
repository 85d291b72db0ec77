package dev.sluice.batch;

import dev.sluice.generate.Generator;
import dev.sluice.generate.ProviderGate;

/**
 * What every runner of a node shares: the database, the generator, its gate, the settings and the
 * node's lease clock.
 */
record RunnerParts(
    BatchStore store,
    Generator generator,
    ProviderGate gate,
    BatchSettings settings,
    LeaseClock leases) {}
