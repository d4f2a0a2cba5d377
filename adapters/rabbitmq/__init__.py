"""RabbitMQ adapters (aio-pika): the bus of the services deployment."""
