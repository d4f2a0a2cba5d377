# `make test` is the project's one test command (README.md; .ci/run calls it).
.PHONY: test install services schema-init

test:
	bash deploy/local/test.sh $(ARGS)

install:
	bash deploy/local/install.sh

services: install
	.venv/bin/discogsography services start

schema-init: install
	.venv/bin/discogsography schema-init
