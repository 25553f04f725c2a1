export function App() {
  return (
    <main class="signin">
      <h1>Tablesync</h1>
      <p>Sign in comes next.</p>
    </main>
  );
}
