package dev.sluice.app;

import java.util.List;

/**
 * How this node finds the others: whether it joins a cluster at all, the cluster's name, the
 * members to ask (their Hazelcast ports), the address and port it binds and announces, and the
 * Kubernetes headless Service whose DNS name lists the members, if any; and whether the node's id
 * was given (a given id that a live member already has stops the start; a default one takes a
 * suffix).
 */
public record ClusterSettings(
    boolean enabled,
    String name,
    List<String> members,
    String host,
    int port,
    String kubernetesService,
    boolean nodeIdGiven) {}
