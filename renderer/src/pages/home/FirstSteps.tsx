import { useQuery } from '../../api/hooks';

interface Step {
  id: string;
  title: string;
  text: string;
  action: string;
  page: string;
  /** A command to try, when the step has one. */
  command?: string;
}

/** The README's first steps, each with the page that does it. */
function steps(mqttPort: number | undefined): Step[] {
  return [
    {
      id: 'account',
      title: 'Create an account',
      text: 'Devices belong to an account; each account has its own topic space. Start with a level-one account.',
      action: 'Open Accounts',
      page: 'accounts',
    },
    {
      id: 'service',
      title: 'Assign it a messaging service',
      text: 'Assign the account to the local broker ("local") so its devices may connect here.',
      action: 'Open Messaging services',
      page: 'services',
    },
    {
      id: 'credentials',
      title: 'Add device credentials',
      text: 'A username and password with access rules for the topics the device may use.',
      action: 'Open Credentials',
      page: 'credentials',
    },
    {
      id: 'traffic',
      title: 'Connect a device and watch its messages',
      text: 'Publish with those credentials; the device appears on Connections and its topics on the Explorer.',
      action: 'Open Explorer',
      page: 'explorer',
      command: `mosquitto_pub -h 127.0.0.1${mqttPort && mqttPort !== 1883 ? ` -p ${mqttPort}` : ''} -u <username> -P <password> -t lab/hello -m hi`,
    },
    {
      id: 'tls',
      title: 'Use TLS',
      text: 'Fieldbench is its own CA: download the CA chain for your clients and issue device certificates for mutual TLS.',
      action: 'Open Certificates',
      page: 'certificates',
    },
  ];
}

/** What to do first, as actions that open the page that does each step. */
export function FirstSteps() {
  const listeners = useQuery('listeners.list', {});
  const mqtt = listeners.data?.listeners.find((l) => l.kind === 'mqtt' && l.state === 'running');
  return (
    <section className="panel home-steps" aria-labelledby="home-steps-title">
      <header className="panel-header">
        <h2 id="home-steps-title">First steps</h2>
      </header>
      <ol className="home-step-list" data-testid="first-steps">
        {steps(mqtt ? (mqtt.boundPort ?? mqtt.port) : undefined).map((step, i) => (
          <li key={step.id} className="home-step" data-testid={`step-${step.id}`}>
            <span className="home-step-number" aria-hidden="true">
              {i + 1}
            </span>
            <div className="home-step-body">
              <div className="home-step-title">{step.title}</div>
              <div className="muted">{step.text}</div>
              {step.command ? <code className="home-command">{step.command}</code> : null}
            </div>
            <a className="home-step-action button-link" href={`#/${step.page}`}>
              {step.action}
            </a>
          </li>
        ))}
      </ol>
      <p className="muted home-note">
        A lab without accounts: start with <code>--allow-anonymous</code> and any client may connect without a
        password.
      </p>
    </section>
  );
}
