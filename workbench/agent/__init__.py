"""The double-DQN agent with n-step returns, masks and a replay buffer."""
