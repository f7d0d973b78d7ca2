"""Connects with paho-mqtt 1.6, subscribes, publishes to itself and prints 'ok <payload>' on success."""
import argparse
import sys
import threading

import paho.mqtt.client as mqtt

parser = argparse.ArgumentParser()
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--transport", choices=["tcp", "websockets"], default="tcp")
parser.add_argument("--ws-path", default="/mqtt")
parser.add_argument("--protocol", type=int, choices=[4, 5], default=4)
parser.add_argument("--cafile")
parser.add_argument("--cert")
parser.add_argument("--key")
parser.add_argument("--topic", default="paho/roundtrip")
args = parser.parse_args()

protocol = mqtt.MQTTv5 if args.protocol == 5 else mqtt.MQTTv311
client = mqtt.Client(client_id="paho-roundtrip", protocol=protocol, transport=args.transport)
if args.transport == "websockets":
    client.ws_set_options(path=args.ws_path)
if args.cafile:
    client.tls_set(ca_certs=args.cafile, certfile=args.cert, keyfile=args.key)

done = threading.Event()
result = {}


def on_connect(c, userdata, flags, rc, properties=None):
    if rc != 0:
        result["error"] = f"connack {rc}"
        done.set()
        return
    c.subscribe(args.topic, qos=1)


def on_subscribe(c, userdata, mid, granted, properties=None):
    c.publish(args.topic, f"hello from paho v{args.protocol}", qos=1)


def on_message(c, userdata, msg):
    result["payload"] = msg.payload.decode()
    done.set()


client.on_connect = on_connect
client.on_subscribe = on_subscribe
client.on_message = on_message
try:
    client.connect(args.host, args.port, keepalive=30)
except Exception as exc:  # noqa: BLE001 - report any connect failure to the test
    print(f"connect failed: {exc}")
    sys.exit(2)
client.loop_start()
ok = done.wait(10)
client.disconnect()
client.loop_stop()
if ok and "payload" in result:
    print(f"ok {result['payload']}")
    sys.exit(0)
print(f"failed {result.get('error', 'timeout')}")
sys.exit(1)
