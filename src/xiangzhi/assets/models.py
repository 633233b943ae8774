"""三资: contracts for the village collective's funds, assets and resources, payments, alerts, 合同清理."""
