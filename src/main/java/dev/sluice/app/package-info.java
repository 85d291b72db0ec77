/** Start-up of Sluice: configuration, database, migrations and the verticles. */
@NullMarked
package dev.sluice.app;

import org.jspecify.annotations.NullMarked;
