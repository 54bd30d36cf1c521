"""How the dataset describes and publishes itself: statistics, VoID, DCAT, dumps, the service
description and exports."""
