# ML layer (arm64): heavy dependencies installed from requirements/ (a stand-in for pip install torch ...).
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
WORKDIR /opt/vision
COPY requirements/ ./requirements/
RUN cat requirements/ml.txt > /opt/vision/installed-ml.txt && echo "ml for $(cat /variant) on $(uname -m)" > /opt/vision/ml-stamp
