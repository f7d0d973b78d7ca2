import { PageHeader } from '../../components';
import { FirstSteps } from './FirstSteps';
import { RecentActivity } from './RecentActivity';
import { RunningPanel } from './RunningPanel';
import './home.css';

/** The landing page: what is running, what to do first, and what happened lately. */
export function HomePage() {
  return (
    <div className="page home-page" data-testid="home-page">
      <PageHeader title="Welcome to Fieldbench">
        <span className="muted">
          An MQTT broker, its certificate authority and device accounts, on this machine.
        </span>
      </PageHeader>
      <RunningPanel />
      <div className="home-columns">
        <FirstSteps />
        <RecentActivity />
      </div>
    </div>
  );
}
