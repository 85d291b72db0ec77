/** Generators: the SPI that turns one item into text, and its implementations. */
@NullMarked
package dev.sluice.generate;

import org.jspecify.annotations.NullMarked;
