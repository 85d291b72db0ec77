/** What Sluice knows about talking to PostgreSQL, shared by the runtime and the HTTP edge. */
@NullMarked
package dev.sluice.db;

import org.jspecify.annotations.NullMarked;
