/** HTTP plumbing shared by the routes: problem details, request parsing, probes. */
@NullMarked
package dev.sluice.http;

import org.jspecify.annotations.NullMarked;
