/**
 * Fuzz targets (Jazzer, JUnit 5) for everything the balancer reads from outside: the frame
 * decoder, the message view and the typed request readers, the message rewriter, and the
 * configuration parser.
 *
 * <p>They live in one package rather than beside the code they test because they use only the
 * public API, as a hostile peer or a careless configuration file reaches it; because Jazzer keys
 * its inputs by test class, so one package keeps every corpus in one tree ({@code
 * src/test/resources/org/ldapbalancer/fuzz/<Class>Inputs}); and because the pieces they share
 * (the tracking allocator, UnboundID as a canonical-form oracle, the reference framer, the seed
 * corpus) belong to fuzzing and to nothing else.
 *
 * <p>In a normal build each target runs once per input in its inputs directory (regression mode,
 * seconds). {@code bench/fuzz} fuzzes them one at a time (coverage-guided, {@code JAZZER_FUZZ=1});
 * see {@code docs/reliability.md}.
 *
 * <p>Adding a target over whole PDUs, such as a request grammar checker, is one more {@code
 * @FuzzTest} method in {@link org.ldapbalancer.fuzz.LdapMessageFuzzTest}: it inherits the shared
 * PDU seeds and the dictionary, and {@code bench/fuzz} finds it by its annotation. A target with
 * a different input layout is a new {@code *FuzzTest} class, with its seeds added to {@link
 * org.ldapbalancer.fuzz.SeedCorpus}.
 */
package org.ldapbalancer.fuzz;
