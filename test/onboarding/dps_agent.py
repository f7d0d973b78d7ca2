"""An Azure-DPS-style agent in paho: register over MQTT, poll the operation, then connect to the
assigned hub, publish a device-to-cloud event and wait for one devicebound message.
Prints one JSON object per step on stdout. Arguments: a JSON object (see the test)."""
import json
import sys
import threading

import paho.mqtt.client as mqtt

cfg = json.loads(sys.argv[1])
TIMEOUT = 60


def say(**fields):
    print(json.dumps(fields), flush=True)


def tls_client(client_id, username):
    client = mqtt.Client(client_id=client_id, protocol=mqtt.MQTTv311, clean_session=True)
    client.username_pw_set(username)
    client.tls_set(ca_certs=cfg["ca"], certfile=cfg["cert"], keyfile=cfg["key"])
    return client


def wait(event, what):
    if not event.wait(TIMEOUT):
        say(step="timeout", what=what)
        sys.exit(2)


# --- registration ---
reg_id = cfg["registrationId"]
dps = tls_client(reg_id, f'{cfg["scopeId"]}/registrations/{reg_id}/api-version=2019-03-31')
responses = []
got = threading.Event()
subscribed = threading.Event()


def on_dps_message(_c, _u, msg):
    responses.append((msg.topic, json.loads(msg.payload.decode())))
    got.set()


dps.on_message = on_dps_message
dps.on_subscribe = lambda *_: subscribed.set()
dps.connect(cfg["host"], cfg["port"])
dps.loop_start()
dps.subscribe("$dps/registrations/res/#", qos=1)
wait(subscribed, "suback")
dps.publish("$dps/registrations/PUT/iotdps-register/?$rid=1", json.dumps({"registrationId": reg_id}), qos=1)
wait(got, "register response")
topic, body = responses.pop(0)
say(step="register", topic=topic, body=body)
if "/res/202/" not in topic:
    sys.exit(1)
got.clear()
dps.publish(
    f'$dps/registrations/GET/iotdps-get-operationstatus/?$rid=2&operationId={body["operationId"]}', "", qos=1
)
wait(got, "status response")
topic, status = responses.pop(0)
say(step="status", topic=topic, body=status)
dps.disconnect()
dps.loop_stop()
if status.get("status") != "assigned":
    sys.exit(1)

# --- the assigned hub ---
state = status["registrationState"]
device_id = state["deviceId"]
hub = tls_client(device_id, f'{state["assignedHub"]}/{device_id}/?api-version=2021-04-12')
inbound = threading.Event()
hub_subscribed = threading.Event()
published = threading.Event()


def on_hub_message(_c, _u, msg):
    say(step="devicebound", topic=msg.topic, payload=msg.payload.decode())
    inbound.set()


hub.on_message = on_hub_message
hub.on_subscribe = lambda *_: hub_subscribed.set()
hub.on_publish = lambda *_: published.set()
hub.connect(state["assignedHub"], cfg["port"])
hub.loop_start()
hub.subscribe(f"devices/{device_id}/messages/devicebound/#", qos=1)
wait(hub_subscribed, "hub suback")
hub.publish(f"devices/{device_id}/messages/events/amo_v3=m&%24.ct=application%2Fjson", '{"t":21.5}', qos=1)
wait(published, "event puback")
say(step="ready")
wait(inbound, "devicebound message")
hub.disconnect()
hub.loop_stop()
