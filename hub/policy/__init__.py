"""Policy workflows: platform filing, class opening, subsidy claims, and the parameters they use."""
