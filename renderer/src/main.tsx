import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { UnlockGate } from './components/UnlockGate';
import { setApi } from './api/client';
import { createIpcClient, type PreloadBridge } from './api/ipc-client';
import { takeTokenFromLocation } from './api/token';
import { createWsClient } from './api/ws-client';
import { useConnection } from './state/connection';
import './styles.css';

function MissingToken() {
  return (
    <div className="gate">
      <h1>Fieldbench</h1>
      <p>
        This page needs the operator token. Open the address printed in the terminal where Fieldbench started
        (it ends in <code>#token=…</code>), or read the token from the <code>operator-token</code> file in the
        data directory.
      </p>
    </div>
  );
}

function Unauthorized() {
  return (
    <div className="gate" data-testid="unauthorized">
      <h1>Token refused</h1>
      <p>
        Fieldbench refused this operator token. Open the address printed when Fieldbench started; the token is
        stored in the <code>operator-token</code> file of its data directory.
      </p>
    </div>
  );
}

function Root() {
  const status = useConnection((s) => s.status);
  return status === 'unauthorized' ? (
    <Unauthorized />
  ) : (
    <UnlockGate>
      <App />
    </UnlockGate>
  );
}

const root = createRoot(document.getElementById('root')!);
const bridge = (window as unknown as { fieldbench?: PreloadBridge }).fieldbench;
if (bridge) {
  setApi(createIpcClient(bridge));
  useConnection.getState().set('open', 0);
  root.render(
    <StrictMode>
      <UnlockGate>
        <App />
      </UnlockGate>
    </StrictMode>,
  );
} else {
  const token = takeTokenFromLocation();
  if (!token) {
    root.render(<MissingToken />);
  } else {
    setApi(createWsClient(token, (status, dropped) => useConnection.getState().set(status, dropped)));
    root.render(
      <StrictMode>
        <Root />
      </StrictMode>,
    );
  }
}
