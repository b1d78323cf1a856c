"""kafka-audit: can this Kafka deployment lose a message, and where?"""

__version__ = "0.1.0"
