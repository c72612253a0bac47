# What a first Dockerfile for this app often looks like: one stage, the
# whole context copied, then installed. For the benchmark (scripts/toolchain-bench.sh).
FROM python:3.11-slim-bookworm
WORKDIR /app
COPY . .
RUN pip install -r requirements.txt
EXPOSE 8000
CMD ["python3", "app.py"]
