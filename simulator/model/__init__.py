"""The SimPy model: arrivals, conversations, agents, shifts and the engine."""
