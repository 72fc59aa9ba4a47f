package example.plugins;

/** Implements none of rl-core's interfaces. */
public class NotAReward {}
